# Orgboard: a static binary in a small non-root image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# templ output and front-end assets are committed: no generator or npm needed here
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/orgboard . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/orgboard /orgboard
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV ORGBOARD_LISTEN=0.0.0.0:8080 ORGBOARD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 CMD ["/orgboard", "healthcheck"]
ENTRYPOINT ["/orgboard"]
