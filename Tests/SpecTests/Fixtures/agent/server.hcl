# serverd on the first of three servers.
name       = "server-1"
region     = "europe"
datacenter = "dc1"
data_dir   = "/var/lib/caravan/server"
bind_addr  = "10.0.0.11"
log_level  = "INFO"
log_json   = true

ports {
  http = 4646
  rpc  = 4647
  raft = 4648
}

server {
  enabled          = true
  bootstrap_expect = 3

  server_join {
    retry_join     = ["10.0.0.12:4648", "10.0.0.13:4648"]
    retry_max      = 5
    retry_interval = "15s"
  }
}

tls {
  ca_file   = "/etc/caravan/tls/ca.pem"
  cert_file = "/etc/caravan/tls/server.pem"
  key_file  = "/etc/caravan/tls/server-key.pem"
}
