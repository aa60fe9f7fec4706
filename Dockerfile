FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Fonts and text shaping for WeasyPrint certificates (Simplified Chinese).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk fonts-hanazono libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .
RUN useradd --system --uid 1000 --home-dir /app ceportal \
    && mkdir -p var/media var/static \
    && DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
       CERTIFICATE_SIGNING_KEY=/run/secrets/not-at-build-time \
       CERTIFICATE_SIGNING_CERT=/run/secrets/not-at-build-time \
       CERTIFICATE_SIGNING_CHAIN=/run/secrets/not-at-build-time \
       DJANGO_SETTINGS_MODULE=portal.settings.production \
       python manage.py collectstatic --noinput \
    && DJANGO_SETTINGS_MODULE=portal.settings python manage.py certificate_fonts \
    && chown -R ceportal:ceportal var

USER ceportal
ENV DJANGO_SETTINGS_MODULE=portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
