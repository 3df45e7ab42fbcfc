/**
 * The PostgreSQL connection URL Vault may hold (DATABASE_CONNECTION_URL, read by the declaration and
 * by the pack's database/connection-tls): sslmode=verify-full|verify-ca exactly once, and besides it
 * only libpq parameters that change neither the host, the login nor the verification. Each refused
 * case changes one parameter of a URL that is accepted.
 */
import { describe, expect, it } from "vitest";
import { DATABASE_CONNECTION_URL } from "../../components/core/bootstrap-schema";

const URL = "postgresql://{{username}}:{{password}}@db.dev.acme.internal:5432/reports?sslmode=verify-full";

describe("database connection URL parameters", () => {
  it("accepts sslmode=verify-* alone, and with the allowed libpq parameters before or after it", () => {
    for (const url of [
      URL,
      URL.replace("verify-full", "verify-ca"),
      `${URL}&sslrootcert=/vault/tls/db-ca.pem`,
      `${URL}&sslrootcert=system`,
      `${URL}&connect_timeout=10`,
      `${URL}&application_name=vault-db`,
      `${URL}&target_session_attrs=read-write`,
      URL.replace("?sslmode", "?connect_timeout=5&sslmode"),
    ])
      expect(DATABASE_CONNECTION_URL.test(url), url).toBe(true);
  });

  it("refuses a weaker or second sslmode, and parameters that redirect the login or replace the credentials", () => {
    for (const url of [
      URL.replace("verify-full", "require"),
      `${URL}&sslmode=disable`,
      URL.replace("?sslmode=verify-full", "?connect_timeout=10"),
      `${URL}&host=203.0.113.9`,
      `${URL}&hostaddr=203.0.113.9`,
      `${URL}&port=6432`,
      `${URL}&user=postgres`,
      `${URL}&password=x`,
      `${URL}&passfile=/etc/passwd`,
      `${URL}&service=other`,
      `${URL}&sslcert=/tmp/c.pem`,
      `${URL}&sslkey=/tmp/k.pem`,
      `${URL}&options=-c%20log_statement%3Dnone`,
      `${URL}&sslrootcert=../ca.pem`,
      `${URL}&sslrootcert=/vault/../tmp/ca.pem`,
      `${URL}&sslrootcert=/vault/./ca.pem`,
      `${URL}&connect_timeout=10#x`,
    ])
      expect(DATABASE_CONNECTION_URL.test(url), url).toBe(false);
  });
});
