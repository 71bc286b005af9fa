# One image for web (Daphne) and worker (Procrastinate) pods.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

# Point this at a CPU-only PyTorch wheel index to keep the image small;
# without it pip may choose a CUDA build of torch.
ARG PIP_EXTRA_INDEX_URL=""

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic only reads settings: a placeholder key and an unused database URL suffice.
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --no-input --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app satgen && mkdir -p /app/media \
    && chown satgen /app/media
USER 10001
EXPOSE 8000

CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers", "satgen.asgi:application"]
