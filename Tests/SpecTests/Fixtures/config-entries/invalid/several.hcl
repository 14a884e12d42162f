# One file, many mistakes: all of them are reported in one run.
Kind = "service-resolver"
Name = "api_v1"
DefaultSubset = "v9"
ConnectTimeout = "5 seconds"
Subsets {
  V1 { Filter = "Service.Meta.version == v1" }
  v2 {
    Filter     = "Service.Meta.version == v2"
    OnlyHealthy = true
  }
}
Redirect {
  Service = "api-next"
}
Failover = {
  v2 = { ServiceSubset = "v1" }
}
LoadBalancer {
  Policy = "least_connections"
}
