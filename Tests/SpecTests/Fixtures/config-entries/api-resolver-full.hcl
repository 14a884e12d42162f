Kind           = "service-resolver"
Name           = "api"
DefaultSubset  = "v1"
ConnectTimeout = "15s"
Subsets {
  v1 {
    Filter      = "Service.Meta.version == v1"
    OnlyPassing = true
  }
  v2 {
    Filter = "Service.Meta.version == v2"
  }
}
Failover = {
  v2 = {
    ServiceSubset = "v1"
  }
  "*" = {
    Datacenters = ["dc2", "dc3"]
  }
}
LoadBalancer = {
  Policy = "ring_hash"
  RingHashConfig = {
    MinimumRingSize = 1024
    MaximumRingSize = 8192
  }
  HashPolicies = [
    { Field = "cookie", FieldValue = "session", CookieConfig = { TTL = "1h", Path = "/" } },
    { SourceIP = true, Terminal = true },
  ]
}
