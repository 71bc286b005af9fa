# One image for web (Daphne), worker (Procrastinate), migrate and seed pods (docs/deployment.md).
# Build: docker build -t REGISTRY/satgen:TAG .
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---- build: the virtualenv, static files and bytecode --------------------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app

# torch first, CPU-only, from PyTorch's CPU wheel index (PyPI serves only a CUDA build, several
# GB larger): the lock's entry for it, pin and hashes, without its dependencies, which the
# locked install below brings, hash-checked like everything else.
COPY requirements.lock .
RUN awk '/^torch==/ {keep = 1; print; next} keep && /^ +--hash/ {print; next} {keep = 0}' requirements.lock > /tmp/torch.lock \
    && pip install --no-compile --no-deps --require-hashes --index-url https://download.pytorch.org/whl/cpu -r /tmp/torch.lock

# The rest from the lock, every file checked against its hash, without pgserver: it is the
# embedded PostgreSQL of `make run` and the tests, and an image always runs with DATABASE_URL.
# pip cannot be told to skip one requirement (a constraint can only narrow versions), so its
# entry (the pin and its hash lines) is filtered out of a copy.
RUN awk '/^pgserver==/ {skip = 1; next} skip && /^ / {next} {skip = 0; print}' requirements.lock > /tmp/requirements-image.lock \
    && pip install --no-compile --require-hashes -r /tmp/requirements-image.lock

# Test suites, torch's headers and test binaries, pip itself (deploy/image/slim-venv.sh).
COPY deploy/image/slim-venv.sh /tmp/slim-venv.sh
RUN sh /tmp/slim-venv.sh /opt/venv

COPY . .
# Build-time only: settings need a key, a database URL, Redis and a Claude key to load; nothing
# connects. collectstatic writes the hashed, compressed files WhiteNoise serves; warm.py loads
# the embedding model offline and leaves bytecode for the modules the processes import.
RUN export DJANGO_SETTINGS_MODULE=satgen.settings HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
        SECRET_KEY=build-only DATABASE_URL=postgres://build@127.0.0.1:1/build \
        REDIS_URL=redis://127.0.0.1:1/0 ANTHROPIC_API_KEY=build-only \
    && python manage.py collectstatic --no-input --verbosity 0 \
    && env -u PYTHONDONTWRITEBYTECODE python manage.py check \
    && env -u PYTHONDONTWRITEBYTECODE python deploy/image/warm.py \
    && python -m compileall -q satgen accounts questions generation sets

# ---- runtime: the same Python, the venv and the app; no compiler, no pip in the venv -------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=satgen.settings \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/huggingface
# Tesseract (Debian's package, ~22 MiB with its English model): workers read each screenshot
# a second time to check what Claude read (generation/pipeline/ocr.py, docs/pipeline.md).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*
# A fixed uid/gid the manifests name (runAsUser/runAsGroup 10001); the root filesystem is
# read-only in pods, so everything written goes to /tmp (an emptyDir).
RUN groupadd --system --gid 10001 satgen \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin satgen
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000 9100

CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers", "satgen.asgi:application"]
