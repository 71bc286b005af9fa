#!/bin/sh
# Measure what the image's runtime layer holds without a Docker engine: the Dockerfile's build
# steps replayed in a scratch folder (a venv, the filtered lock, slim-venv.sh, the app
# as .dockerignore leaves it, collectstatic, warm.py), then `du` of the venv and the app.
# Usage: deploy/image/measure.sh [SCRATCH_DIR]
#   TORCH_INDEX=URL  where CPU torch comes from (default: PyTorch's CPU index, as the
#                    Dockerfile); TORCH_INDEX= (empty) uses pip's own configuration.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${1:-$(mktemp -d)}
python=${PYTHON:-python3.11}
torch_index=${TORCH_INDEX-https://download.pytorch.org/whl/cpu}
rm -rf "$scratch/venv" "$scratch/app"
"$python" -m venv "$scratch/venv"
pip="$scratch/venv/bin/python -m pip --quiet --disable-pip-version-check --no-cache-dir"
awk '/^torch==/ {keep = 1; print; next} keep && /^ +--hash/ {print; next} {keep = 0}' "$repo/requirements.lock" > "$scratch/torch.lock"
if [ -n "$torch_index" ]; then
    $pip install --no-compile --no-deps --require-hashes --index-url "$torch_index" -r "$scratch/torch.lock"
else
    $pip install --no-compile --no-deps --require-hashes -r "$scratch/torch.lock"
fi
awk '/^pgserver==/ {skip = 1; next} skip && /^ / {next} {skip = 0; print}' "$repo/requirements.lock" > "$scratch/requirements-image.lock"
$pip install --no-compile --require-hashes -r "$scratch/requirements-image.lock"
sh "$repo/deploy/image/slim-venv.sh" "$scratch/venv"

# The build context: tracked and new files, less what .dockerignore leaves out.
mkdir "$scratch/app"
(cd "$repo" && git ls-files -co --exclude-standard \
    | grep -v -E '^(\.git|\.venv|\.data|\.ci|media|staticfiles|docs|bench|scripts|k8s|deploy/compose)(/|$)' \
    | grep -v -E '(^|/)tests/|^docker-compose\.yml$|^conftest\.py$|^requirements-dev\.txt$' \
    | tar -cf - -T -) | tar -xf - -C "$scratch/app"

cd "$scratch/app"
export DJANGO_SETTINGS_MODULE=satgen.settings HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 \
    SECRET_KEY=build-only DATABASE_URL=postgres://build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 ANTHROPIC_API_KEY=build-only PYTHONDONTWRITEBYTECODE=1
"$scratch/venv/bin/python" manage.py collectstatic --no-input --verbosity 0
env -u PYTHONDONTWRITEBYTECODE "$scratch/venv/bin/python" manage.py check
env -u PYTHONDONTWRITEBYTECODE "$scratch/venv/bin/python" deploy/image/warm.py 2>/dev/null
"$scratch/venv/bin/python" -m compileall -q satgen accounts questions generation sets

cd "$scratch"
du -sh venv/lib/python3*/site-packages app
du -sm --total venv app | tail -1 | awk '{print "runtime layer (venv + app): " $1 " MiB"}'
if "$scratch/venv/bin/python" -c "import pgserver" 2>/dev/null; then echo "pgserver is installed!"; exit 1; fi
"$scratch/venv/bin/python" -c "import torch; assert torch.version.cuda is None, torch.version.cuda; print('torch', torch.__version__, 'CPU only')"
