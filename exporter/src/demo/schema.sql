-- The reference schema of the CHOM application database (shared/design/app-schema.md), as Laravel
-- creates it on MySQL 8 / MariaDB 10.11. The exporter only reads these tables; the demo seeder and
-- the tests create them.

CREATE TABLE IF NOT EXISTS teams (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  plan VARCHAR(32) NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS subscriptions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT UNSIGNED NOT NULL,
  plan VARCHAR(32) NOT NULL,
  amount_monthly DECIMAL(12,2) NOT NULL,
  status VARCHAR(16) NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  ended_at TIMESTAMP NULL DEFAULT NULL,
  KEY subscriptions_team_id_index (team_id),
  KEY subscriptions_status_index (status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS vps_servers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT UNSIGNED NULL DEFAULT NULL,
  hostname VARCHAR(255) NOT NULL,
  provider VARCHAR(64) NOT NULL,
  size VARCHAR(64) NOT NULL,
  vcpus INT UNSIGNED NOT NULL,
  memory_mb INT UNSIGNED NOT NULL,
  disk_gb INT UNSIGNED NOT NULL,
  max_sites INT UNSIGNED NULL DEFAULT NULL,
  status VARCHAR(16) NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL,
  KEY vps_servers_team_id_index (team_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS sites (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT UNSIGNED NOT NULL,
  vps_id BIGINT UNSIGNED NULL DEFAULT NULL,
  domain VARCHAR(255) NOT NULL,
  storage_used_bytes BIGINT UNSIGNED NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL,
  created_at TIMESTAMP NULL DEFAULT NULL,
  deleted_at TIMESTAMP NULL DEFAULT NULL,
  KEY sites_team_id_index (team_id),
  KEY sites_vps_id_index (vps_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS site_bandwidth_daily (
  site_id BIGINT UNSIGNED NOT NULL,
  day DATE NOT NULL,
  bytes_in BIGINT UNSIGNED NOT NULL,
  bytes_out BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (site_id, day),
  KEY site_bandwidth_daily_day_index (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS email_logs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  team_id BIGINT UNSIGNED NOT NULL,
  type VARCHAR(16) NOT NULL,
  sent_at TIMESTAMP NOT NULL,
  KEY email_logs_team_id_sent_at_index (team_id, sent_at),
  KEY email_logs_sent_at_index (sent_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
