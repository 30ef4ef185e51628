// The machine's proxy variables, emptied: registry traffic in tests is loopback only and must
// not be sent through a proxy (berth honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY as Docker does).
export const NO_PROXY_ENV = {
  HTTP_PROXY: '',
  HTTPS_PROXY: '',
  http_proxy: '',
  https_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
} as const;
