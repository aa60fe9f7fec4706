"""Production overrides: HTTPS only, secrets from the environment, no debug."""

from portal.env import env_bool, env_int, env_str
from portal.settings import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Throttles key on the client address; behind N reverse proxies DRF must skip N hops of
# X-Forwarded-For, or any client could pick its own throttle key.
# The login lockout (AXES_CLIENT_IP_CALLABLE), audit entries and the password-reset throttle
# read the same setting through portal.client_ip.client_ip.
NUM_PROXIES = env_int("NUM_PROXIES", 1)
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": NUM_PROXIES}  # noqa: F405

# The certificate seal: production never creates keys; it refuses to start without them.
CERTIFICATE_SIGNING_KEY = env_str("CERTIFICATE_SIGNING_KEY")
CERTIFICATE_SIGNING_CERT = env_str("CERTIFICATE_SIGNING_CERT")
CERTIFICATE_SIGNING_CHAIN = env_str("CERTIFICATE_SIGNING_CHAIN")
CERTIFICATE_KEYS_AUTOCREATE = False
