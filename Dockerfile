# One image for web, worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY backoffice ./backoffice
COPY orders ./orders
COPY lifecycle ./lifecycle
COPY tools ./tools
RUN pip install .

COPY . .
RUN DJANGO_SETTINGS_MODULE=backoffice.settings.production SECRET_KEY=build PAYMENT_WEBHOOK_SECRET=build \
    python manage.py collectstatic --no-input

RUN useradd --create-home backoffice && mkdir -p /app/media && chown backoffice /app/media
USER backoffice
EXPOSE 8000
CMD ["gunicorn", "backoffice.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
