# clientd on a worker host.
name       = "worker-1"
datacenter = "dc1"
data_dir   = "/var/lib/caravan/client"
log_level  = "debug"

ports {
  client = "4649"
}

client {
  enabled               = true
  servers               = ["10.0.0.11:4647", "10.0.0.12:4647", "10.0.0.13:4647"]
  network_interface     = "eth0"
  bridge_network_name   = "caravan"
  bridge_network_subnet = "172.26.64.0/20"

  host_volume "mysql" {
    path      = "/opt/mysql/data"
    read_only = false
  }

  host_volume "certs" {
    path      = "/etc/ssl/certs"
    read_only = true
  }

  options = {
    "driver.allowlist" = "exec,raw_exec"
  }

  meta = {
    rack         = "r1"
    "node.class" = "web"
  }
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

mesh {
  servers                  = ["10.0.0.11:4647"]
  default_intention_policy = "deny"
}

tls {
  ca_file   = "/etc/caravan/tls/ca.pem"
  cert_file = "/etc/caravan/tls/client.pem"
  key_file  = "/etc/caravan/tls/client-key.pem"
}
