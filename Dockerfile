FROM python:3.11.7-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain domain
COPY workflows workflows
COPY activities activities
COPY sandbox sandbox
COPY workers workers
COPY starter starter
RUN pip install --no-cache-dir .
USER nobody
CMD ["ordertide", "worker"]
