region    = "europe"
data_dir  = "/var/lib/caravan"
log_level = "info"

client {
  enabled = true
  servers = ["10.0.0.11:4647"]
  meta = {
    rack = "r1"
    zone = "a"
  }
  host_volume "mysql" {
    path = "/opt/mysql/data"
  }
  host_volume "certs" {
    path      = "/etc/ssl/certs"
    read_only = true
  }
}

plugin "raw_exec" {
  config {
    enabled = false
    no_cgroups = true
  }
}
