# One image for the API and the workers: Node 20 on Debian 12 with Debian's GDAL, which gdal-async
# links against (see .npmrc).
FROM node:20-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgdal-dev gdal-bin chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
