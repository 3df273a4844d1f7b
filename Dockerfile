FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd \
      poppler-utils qpdf fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir .
ENV HOSO_DATA_DIR=/var/lib/hoso
EXPOSE 8000
CMD ["hoso", "serve", "--host", "0.0.0.0", "--port", "8000"]
