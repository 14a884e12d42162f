log_level = "debug"

ports {
  http = 8646
}

client {
  servers = ["10.0.0.21:4647", "10.0.0.22:4647"]
  meta = {
    zone = "b"
    gpu  = "none"
  }
  host_volume "mysql" {
    path      = "/srv/mysql"
    read_only = true
  }
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}
