# syntax=docker/dockerfile:1
# hopsync's image: one image for every process (worker, webhook, scheduler, simulators).
# docker-compose.yml picks the process with its `command`; docs/deployment.md explains the setup.

# Build the wheel in its own stage, so no source tree or build leftovers reach the runtime image
# (and `python -m dramatiq` cannot import a stray source copy from the working directory).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shared/ shared/
COPY workers/ workers/
COPY producers/ producers/
COPY config/ config/
COPY sim/ sim/
COPY harness/ harness/
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOPSYNC_CONFIG=/etc/hopsync/hopsync.yaml \
    HOPSYNC_METRICS_PORT=9108

RUN groupadd --system --gid 10001 hopsync \
    && useradd --system --uid 10001 --gid hopsync --home-dir /home/hopsync --create-home \
       --shell /usr/sbin/nologin hopsync

# The package and its runtime dependencies only: no dev extras.
COPY --from=build /wheels/ /tmp/wheels/
RUN pip install /tmp/wheels/hopsync-*.whl && rm -rf /tmp/wheels

USER hopsync
WORKDIR /home/hopsync
# 8080: `hopsync webhook`; 9108: Prometheus metrics of every hopsync process.
EXPOSE 8080 9108
ENTRYPOINT ["hopsync"]
# Run bare, the image validates its configuration and secrets and exits; compose runs the services.
CMD ["check"]
