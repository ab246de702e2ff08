import nodemailer, { type Transporter } from 'nodemailer';
import { readSmtpPassword, type LoadedDefinitions } from '../config/load';

export function createTransport(definitions: LoadedDefinitions): Transporter {
  const smtp = definitions.settings.smtp;
  const password = readSmtpPassword(definitions);
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: password } } : {}),
    connectionTimeout: smtp.timeout_ms,
    greetingTimeout: smtp.timeout_ms,
    socketTimeout: smtp.timeout_ms,
  });
}
