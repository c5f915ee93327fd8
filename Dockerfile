FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . \
    && DJANGO_ENV=production DJANGO_ALLOWED_HOSTS=localhost REDIS_URL=redis://build-only:6379/0 \
       DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
       python manage.py collectstatic --noinput
RUN useradd --create-home desk && mkdir -p /data/media /app/.cache && chown desk /data/media /app/.cache
USER desk
EXPOSE 8000
ENV GUNICORN_BIND=0.0.0.0:8000
CMD ["gunicorn", "seller_desk.wsgi", "-c", "gunicorn.conf.py"]
