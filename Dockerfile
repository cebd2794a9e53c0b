# One image for the API and the workers: Node 20 on Debian 12 with Debian's GDAL, which gdal-async
# links against (the install settings: scripts/npm-install-env.sh).
FROM node:20-bookworm AS app
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal-dev gdal-bin chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm_config_build_from_source=gdal-async npm_config_shared_gdal=true ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production

# The adaptation worker (npm run model -- worker): the same image with Debian's PyTorch, which the
# trainer (models/) runs on, and python3-onnx, which reads the shipped networks back into PyTorch.
# Only this service carries them (about 1 GB); the API and the detection workers use the stage above.
FROM app AS model
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-torch python3-numpy python3-onnx \
 && rm -rf /var/lib/apt/lists/*
