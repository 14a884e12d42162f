Kind        = "service-defaults"
Name        = "api"
Protocol    = "http2"
ExternalSNI = "api.example.com"
MeshGateway {
  Mode = "local"
}
Expose {
  Checks = true
  Paths = [
    { Path = "/health", LocalPathPort = 8080, ListenerPort = 21500, Protocol = "http" },
  ]
}
UpstreamConfig {
  Defaults {
    ConnectTimeoutMs = 5000
    Limits {
      MaxConnections        = 512
      MaxPendingRequests    = 64
      MaxConcurrentRequests = 128
    }
    PassiveHealthCheck {
      Interval    = "10s"
      MaxFailures = 5
    }
  }
  Overrides = [
    { Name = "payments", Protocol = "grpc", ConnectTimeout = "250ms", MeshGateway { Mode = "remote" } },
  ]
}
