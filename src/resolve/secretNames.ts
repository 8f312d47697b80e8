/** Variable or key names whose values are credentials: never shown, and a reason to keep a file private. */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|AUTHORIZATION)/i;

/** AWS_ACCESS_KEY_ID is public-ish (shown as first 4 + last 4), not a secret by itself. */
const PUBLIC_NAMES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']);

export function isSecretName(name: string): boolean {
  // *_FILE settings name paths (AWS_WEB_IDENTITY_TOKEN_FILE), not secrets.
  return !PUBLIC_NAMES.has(name.toUpperCase()) && !/_FILE$/i.test(name) && SECRET_NAME.test(name);
}
