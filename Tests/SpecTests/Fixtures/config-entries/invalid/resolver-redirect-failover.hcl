Kind = "service-resolver"
Name = "api"
Redirect {
  Service    = "api-v2"
  Datacenter = "dc2"
}
Failover = {
  "*" = { Datacenters = ["dc3"] }
}
