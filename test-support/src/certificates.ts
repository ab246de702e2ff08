import fs from 'node:fs';
import path from 'node:path';
import { execFileAsync } from './process';

/** Files of a throw-away PKI for TLS tests (PEM, EC P-256, valid for two days). */
export interface TestPki {
  readonly caCert: string;
  /** the server certificate: localhost, 127.0.0.1 and ::1, signed by caCert */
  readonly serverCert: string;
  readonly serverKey: string;
  /** a client certificate signed by caCert, with the subject alternative name DNS:prometheus */
  readonly clientCert: string;
  readonly clientKey: string;
  /** signed by caCert too, but named DNS:intruder */
  readonly intruderCert: string;
  readonly intruderKey: string;
  /** a CA nobody trusts, and a client certificate it signed (DNS:prometheus) */
  readonly foreignCaCert: string;
  readonly foreignClientCert: string;
  readonly foreignClientKey: string;
}

/** Creates a test CA, a server certificate and client certificates in `dir` with the openssl CLI. */
export async function createTestPki(dir: string): Promise<TestPki> {
  const file = (name: string) => path.join(dir, name);
  // An empty configuration, so that no default extension (CA:TRUE for -x509) sneaks into a leaf.
  fs.writeFileSync(file('openssl.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');
  const base = ['req', '-config', file('openssl.cnf'), '-x509', '-new', '-newkey', 'ec'];
  const common = ['-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'];
  const ca = (name: string) =>
    execFileAsync('openssl', [
      ...base,
      ...common,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  const leaf = (name: string, issuer: string, san: string, usage: 'serverAuth' | 'clientAuth') =>
    execFileAsync('openssl', [
      ...base,
      ...common,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-subj',
      `/CN=${name}`,
      '-CA',
      file(`${issuer}.crt`),
      '-CAkey',
      file(`${issuer}.key`),
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'basicConstraints=critical,CA:FALSE',
      '-addext',
      `extendedKeyUsage=${usage}`,
    ]);
  await ca('ca');
  await ca('foreign-ca');
  await leaf('server', 'ca', 'DNS:localhost,IP:127.0.0.1,IP:::1', 'serverAuth');
  await leaf('client', 'ca', 'DNS:prometheus', 'clientAuth');
  await leaf('intruder', 'ca', 'DNS:intruder', 'clientAuth');
  await leaf('foreign-client', 'foreign-ca', 'DNS:prometheus', 'clientAuth');
  return {
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
    intruderCert: file('intruder.crt'),
    intruderKey: file('intruder.key'),
    foreignCaCert: file('foreign-ca.crt'),
    foreignClientCert: file('foreign-client.crt'),
    foreignClientKey: file('foreign-client.key'),
  };
}
