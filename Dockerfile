# The form backend in a container: `recruit backend serve` on port 8001, as an unprivileged user.
#
#   .venv/bin/recruit build             # first: dist/, the sites and dist/_forms/manifest.json
#   docker build -t recruit-backend .
#   docker run --rm -e DATABASE_URL=postgresql://... recruit-backend recruit db migrate
#   docker run -p 8001:8001 -e DATABASE_URL=postgresql://... -e SMTP_HOST=mail.example recruit-backend
#
# The image holds the dist/ that was built for publishing, so its manifest is the one the live
# sites were built with. DATABASE_URL, SMTP_HOST and the rest are given when it runs, never here.
# The backend answers at /health, /apply/... and /councils/...: a proxy in front maps the sites'
# backend_url (such as https://careers.example/api/) to it.

FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/recruit
WORKDIR /src
COPY pyproject.toml README.md ./
COPY generator/ generator/
COPY forms_backend/ forms_backend/
RUN /opt/recruit/bin/pip install .

FROM python:3.12-slim
ENV PATH=/opt/recruit/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RECRUIT_DIST=/app/dist \
    RECRUIT_MAIL_DIR=/app/data/mail
RUN groupadd --system --gid 10001 recruit \
    && useradd --system --uid 10001 --gid recruit --home-dir /app --no-create-home --shell /usr/sbin/nologin recruit \
    && mkdir -p /app/data/mail \
    && chown -R recruit:recruit /app/data
COPY --from=build /opt/recruit /opt/recruit
WORKDIR /app
# Owned by root: the backend reads the pages and the manifest, and cannot change them. It runs
# as recruit (10001), by number, so a platform can check it is not root before starting it.
COPY dist/ /app/dist/
USER 10001:10001
EXPOSE 8001
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8001/health', timeout=4)"]
CMD ["recruit", "backend", "serve", "--host", "0.0.0.0", "--port", "8001", "--workers", "2"]
