# Kvalitetsplan, production image: gunicorn serving the app, WhiteNoise serving
# the static files. The same image runs the Celery worker and beat (see
# docker-compose.yml). Build with: docker compose build

# --- build stage: Python packages, front-end packages, translations, static files
FROM python:3.11-slim-bookworm AS build

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext make nodejs npm \
    && rm -rf /var/lib/apt/lists/*

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /app/
RUN pip install -r /app/requirements.txt

WORKDIR /app
COPY Makefile package.json package-lock.json /app/
RUN make vendor && rm -rf node_modules

COPY . /app/
# collectstatic only needs the settings to load: the key is thrown away.
ENV VAR_DIR=/tmp/build-var
RUN if find . -name '*.po' -path '*/LC_MESSAGES/*' | grep -q .; then \
        python manage.py compilemessages --ignore=node_modules; fi \
    && DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0

# --- runtime stage: no compilers, no Node, an unprivileged user
FROM python:3.11-slim-bookworm

# Pango for WeasyPrint's PDF reports, and a font family for it to set text in.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/app --uid 10001 app

COPY --from=build /opt/venv /opt/venv
# The code belongs to root; the app writes only under /app/var (uploads, reports).
COPY --from=build /app /app
RUN mkdir -p /app/var/media && chown -R app:app /app/var

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=qualityplan.settings \
    DEBUG=0 \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
USER app
EXPOSE 8000

# gunicorn.conf.py (in /app) holds the settings: workers, threads, preload; WEB_CONCURRENCY
# and GUNICORN_THREADS change them for a larger machine.
CMD ["gunicorn", "qualityplan.wsgi:application"]
