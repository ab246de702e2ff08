/** The --help text: every environment variable and every YAML setting. */
export const HELP = `chom-finops-exporter: Prometheus exporter of CHOM infrastructure, tenant, storage and capacity costs.

Usage:
  tsx exporter/src/main.ts                 run the exporter
  tsx exporter/src/main.ts --check-config [FILE]
                                           validate the YAML config (FILE or $CHOM_CONFIG) and exit
  tsx exporter/src/main.ts --check-web-config [FILE]
                                           validate the web config (FILE or $CHOM_WEB_CONFIG_FILE) and exit
  tsx exporter/src/main.ts --help          this text
  tsx exporter/src/main.ts --version       the version

Environment:
  CHOM_DATABASE_URL    required. mysql://user:password@host:port/database of the application database
                       (a user with SELECT is enough; sessions are read-only and in UTC)
  CHOM_REDIS_URL       optional redis://[user:password@]host:port[/db] (rediss:// for TLS): replicas share the
                       finished exposition there (and, with shared_cache.share_usage_tables, the usage day
                       tables), so across replicas one collection runs per ttl_seconds; without it, or while
                       Redis is unreachable, each replica collects alone (no scrape fails)
  CHOM_PORT            HTTP port (default 9864)
  CHOM_LISTEN_ADDRESS  address to listen on (default 0.0.0.0)
  CHOM_CONFIG          path of the YAML config (optional: every setting has a default)
  CHOM_WEB_CONFIG_FILE path of the web config: TLS, basic auth, bearer tokens, client networks (optional:
                       without it, plain HTTP and no authentication; see docs/configuration.md)
  CHOM_LOG_LEVEL       fatal, error, warn, info (default), debug, trace or silent; logs are JSON lines on stdout

HTTP:
  /metrics  the exposition (collected at most once per collection.ttl_seconds); OpenMetrics 1.0.0 when the
            Accept header prefers application/openmetrics-text, gzip with Accept-Encoding: gzip
  /healthz  200 while the process is alive
  /readyz   200 once the database answers and a first collection succeeded, 503 before
  With a web config, every path but /healthz and /readyz needs a credential (401 without one) and a
  client in client_allowed_networks (403 otherwise).

Web config (CHOM_WEB_CONFIG_FILE; the format of the Prometheus exporter-toolkit, as node_exporter's
--web.config.file, plus bearer_auth and client_allowed_networks):
  tls_server_config                      cert_file, key_file (or cert, key), client_auth_type, client_ca_file,
                                         client_allowed_sans, min_version, max_version, cipher_suites,
                                         prefer_server_cipher_suites, curve_preferences
  http_server_config.headers             Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options,
                                         X-XSS-Protection, Content-Security-Policy
  basic_auth_users                       map of user name to bcrypt hash (htpasswd -nBC 10 "" | tr -d ':\n')
  bearer_auth.token_files                files holding one token each (Authorization: Bearer <token>)
  client_allowed_networks                list of IPv4/IPv6 networks (CIDR) allowed to connect
  rate_limit                             { interval, burst }: requests refused with 429 past the limit
  Files are re-read when they change (certificates, users, tokens); an invalid change keeps the old ones.

YAML settings (all optional; see exporter/chom-finops.example.yml and docs/configuration.md):
  currency                               ISO 4217 code stated in HELP texts (default USD); nothing is converted
  collection.ttl_seconds                 collect at most once per this many seconds (default 60)
  collection.timeout_seconds             deadline of each source query, below ttl_seconds (default 30, or the
                                         TTL when shorter); a query past it is stopped on the database
  collection.full_read_interval_seconds  re-read the whole 30-day usage window, and group the sites again even
                                         if their fingerprint is unchanged, this often (default 3600); in
                                         between only the days since the last read (0: always the whole window)
  collection.late_rows_seconds           re-read yesterday for this long after midnight UTC, for rows written
                                         late for it (default 3600; 0 to 86400)
  collection.bandwidth_chunk_sites       a full bandwidth read goes in chunks of this many site IDs, one statement
                                         (with its own deadline) each (default 20000; 0: one statement)
  collection.email_chunk_ids             a full e-mail read groups its rows in chunks of this many email_logs IDs,
                                         one statement (with its own deadline) each (default 250000; 0: one statement)
  collection.tenant_limit                tenants kept as labels, the rest fold into tenant_id="__other__" (default 500)
  collection.expose_tenant_names         add the tenant name to chom_tenant_info (default false: personal data)
  pricing.servers.default_monthly        monthly price of a server whose (provider, size) is not listed (default 20)
  pricing.servers.stopped_factor         share of its price a stopped server still costs, 0 to 1 (default 1)
  pricing.servers.sizes                  list of { provider, size, monthly }
  pricing.storage.gib_month              price per GiB-month of site storage (default 0.05)
  pricing.bandwidth.egress_gib           price per GiB of egress (default 0.01)
  pricing.bandwidth.included_gib_month   egress GiB included per month (default 0)
  pricing.email.per_1000                 price per 1,000 messages by type (default transactional 0.10, marketing 0.50)
  pricing.email.default_per_1000         price per 1,000 messages of other types (default 0.10)
  pricing.database.gib_month             price per GiB-month of the application database (default 0.25)
  fixed_items                            list of { name, category, monthly } costs no query sees
  budgets.monthly_total                  total monthly budget (chom_cost_budget_monthly{category="total"})
  budgets.categories                     map of category to monthly budget
  budgets.alert_thresholds               budget ratios that alert (default [0.5, 0.75, 0.9, 1.0])
  allocation.shared_servers              storage_share (default), site_count or even
  allocation.shared_overhead             unallocated (default) or proportional (database and fixed items)
  capacity.database_limit_bytes          database size limit for chom_capacity_limit{resource="database"}
  opportunities.underused_ratio          use below which a shared server counts as under-used (default 0.2)
  plausibility.link_speed_gbps           link speed bounding one site-day of traffic, Gbit/s (default 10)
  plausibility.storage_over_disk_factor  a site may store at most its server's disk × this (default 2)
  plausibility.max_monthly_revenue       largest believable amount_monthly of one subscription (default 1000000)
  plausibility.max_disk_gb               largest believable disk_gb of a server (default 65536)
  plausibility.max_sites_per_server      largest believable max_sites of a server (default 100000)
  plausibility.max_emails_per_tenant_day largest believable messages of one tenant in one day (default 10000000)
                                         A value past a bound is left out of every figure, logged with the
                                         row's ID and counted in chom_exporter_rejected_rows{source,reason}
  shared_cache.key_prefix                prefix of the Redis keys of the shared cache (default chom-finops:exporter)
  shared_cache.share_usage_tables        share the usage day tables too, so the next collector reads only recent days
                                         (default true; 100,000 tenants: 51 MiB in Redis, 0.3 s of the event loop)
  sources.<name>                         SQL replacing a source query; names: tenants, subscriptions, servers,
                                         sites, server_sites, bandwidth, email, database_size. Parameters:
                                         :now :today :window_start :month_start :scan_start :window_start_ts
                                         :month_start_ts :scan_start_ts :tomorrow_ts (UTC); bandwidth and email
                                         return rows per day for :from_day…:to_day / [:from_ts, :to_ts)

Exit codes: 0 ok, 2 invalid configuration or environment, 1 other failure.
`;
