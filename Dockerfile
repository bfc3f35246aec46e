# dynamic-mcp in a container. Untested in this repository's CI (no container runtime there); the
# same commands run in tests/integration/test_install.py outside a container.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home dynamic-mcp

USER dynamic-mcp
WORKDIR /home/dynamic-mcp
# Listen on every interface inside the container; publish the port where you want it.
ENV HOST=0.0.0.0 \
    PORT=4001
EXPOSE 4001

HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4001/health', timeout=4)"]

ENTRYPOINT ["dynamic-mcp"]
CMD ["serve"]
