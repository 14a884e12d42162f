# meshd in production: run as many replicas as needed; all state is in the servers.
# ctl and proxies reach it on ports.mesh. Start with: meshd -config /etc/caravan/meshd.hcl
name       = "mesh-1"
region     = "global"
datacenter = "dc1"
bind_addr  = "0.0.0.0"
log_level  = "INFO"
log_json   = true

ports {
  mesh = 8502
}

mesh {
  servers = ["10.0.0.11:4647", "10.0.0.12:4647", "10.0.0.13:4647"]
  # Connections and requests that no intention allows are refused. Consul's development default is allow;
  # production meshes deny and allow service pairs explicitly (ctl intention create -allow web api).
  default_intention_policy = "deny"
}

tls {
  ca_file   = "/etc/caravan/tls/ca.pem"
  cert_file = "/etc/caravan/tls/mesh.pem"
  key_file  = "/etc/caravan/tls/mesh-key.pem"
}
