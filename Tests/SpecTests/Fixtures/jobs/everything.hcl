job "shop" {
  name        = "shop-frontend"
  type        = "service"
  region      = "eu"
  namespace   = "retail"
  node_pool   = "web"
  datacenters = ["eu-west-1a", "eu-west-1b"]
  priority    = 70
  all_at_once = false

  meta {
    owner = "team-shop"
    cost  = 42
  }

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  constraint {
    distinct_hosts = true
  }

  constraint {
    attribute = "${attr.os.version}"
    version   = ">= 22.04"
  }

  affinity {
    attribute = "${node.datacenter}"
    value     = "eu-west-1a"
    weight    = 75
  }

  spread {
    attribute = "${node.datacenter}"
    weight    = 100

    target "eu-west-1a" {
      percent = 60
    }

    target "eu-west-1b" {
      percent = 40
    }
  }

  update {
    max_parallel      = 2
    min_healthy_time  = "15s"
    healthy_deadline  = "4m"
    progress_deadline = "8m"
    auto_revert       = true
    canary            = 1
  }

  group "frontend" {
    count = 3

    constraint {
      operator  = "distinct_property"
      attribute = "${meta.rack}"
      value     = "2"
    }

    affinity {
      attribute = "${meta.ssd}"
      operator  = "=="
      value     = "true"
      weight    = -20
    }

    spread {
      attribute = "${meta.rack}"
    }

    restart {
      attempts = 0
      mode     = "fail"
    }

    reschedule {
      attempts       = 5
      interval       = "1h"
      delay          = "10s"
      delay_function = "fibonacci"
      max_delay      = "2m"
      unlimited      = false
    }

    update {
      canary       = 2
      auto_promote = true
    }

    migrate {
      max_parallel     = 2
      health_check     = "task_states"
      min_healthy_time = "20s"
      healthy_deadline = "3m"
    }

    ephemeral_disk {
      size    = 500
      sticky  = true
      migrate = true
    }

    network {
      mode     = "bridge"
      hostname = "frontend"
      mbits    = 10

      port "http" {
        to = 8080
      }

      port "admin" {
        static       = 9901
        host_network = "private"
      }

      port "metrics" {
        to = -1
      }

      dns {
        servers  = ["10.0.0.2"]
        searches = ["service.consul"]
        options  = ["ndots:2"]
      }
    }

    volume "assets" {
      type      = "host"
      source    = "shop-assets"
      read_only = true
    }

    volume "cache" {
      type   = "host"
      source = "shop-cache"
    }

    shutdown_delay               = "5s"
    stop_after_client_disconnect = "2m"

    meta = {
      tier = "web"
    }

    service {
      name         = "shop"
      port         = "http"
      tags         = ["web", "v2"]
      canary_tags  = ["canary"]
      address_mode = "alloc"
      task         = "app"
      provider     = "consul"

      meta {
        version = "2"
      }

      check {
        name           = "shop-health"
        type           = "http"
        path           = "/health"
        protocol       = "http"
        method         = "GET"
        interval       = "10s"
        timeout        = "2s"
        expose         = true
        initial_status = "warning"

        header {
          Accept = ["application/json"]
          X-Shop = "probe"
        }

        check_restart {
          limit           = 3
          grace           = "30s"
          ignore_warnings = true
        }
      }

      check {
        type     = "script"
        name     = "db-reachable"
        command  = "/bin/check-db"
        args     = ["--quick"]
        interval = "30s"
        timeout  = "5s"
        task     = "app"
      }

      check {
        type         = "grpc"
        port         = "metrics"
        interval     = "15s"
        timeout      = "3s"
        grpc_service = "shop.Health"
      }

      connect {
        sidecar_service {
          tags = ["proxy"]

          proxy {
            local_service_address = "127.0.0.1"
            local_service_port    = 8080

            upstreams {
              destination_name      = "payments"
              local_bind_port       = 9091
              datacenter            = "eu-west-1b"
              local_bind_address    = "127.0.0.2"
              destination_namespace = "billing"

              mesh_gateway {
                mode = "local"
              }
            }

            upstreams {
              destination_name = "inventory"
              local_bind_port  = "9092"
            }

            expose {
              path {
                path            = "/health"
                protocol        = "http"
                local_path_port = 8080
                listener_port   = "metrics"
              }
            }

            config {
              protocol = "http"
              limits {
                max_connections = 512
              }
            }
          }
        }

        sidecar_task {
          driver = "exec"
          user   = "proxy"

          config {
            command = "/usr/local/bin/proxyd"
          }

          resources {
            cpu    = 250
            memory = 128
          }

          env {
            LOG_LEVEL = "debug"
          }

          meta {
            role = "sidecar"
          }

          logs {
            max_files     = 2
            max_file_size = 5
          }

          kill_timeout   = "10s"
          kill_signal    = "SIGTERM"
          shutdown_delay = "1s"
        }
      }
    }

    task "migrate-db" {
      driver = "exec"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      config {
        command = "/app/bin/migrate"
      }
    }

    task "app" {
      driver       = "docker"
      user         = "shop"
      leader       = true
      kill_timeout = "20s"
      kill_signal  = "SIGTERM"

      config {
        image   = "registry.example.com/shop:2.4.1"
        ports   = ["http"]
        command = "/app/bin/server"
        args    = ["--port", 8080]
        mount {
          type   = "bind"
          source = "local/config"
          target = "/etc/shop"
        }
      }

      env {
        SHOP_MODE = "production"
        PORT      = "${NOMAD_PORT_http}"
      }

      meta {
        release = "2.4.1"
      }

      constraint {
        attribute = "${attr.cpu.arch}"
        operator  = "set_contains_any"
        value     = "amd64,arm64"
      }

      affinity {
        attribute = "${node.class}"
        regexp    = "^web-"
        weight    = 30
      }

      resources {
        cpu        = 750
        memory     = 512
        memory_max = 1024
      }

      logs {
        max_files     = 4
        max_file_size = 20
      }

      artifact {
        source      = "https://downloads.example.com/shop/assets.tar.gz"
        destination = "local/assets"
        mode        = "dir"

        options {
          checksum = "sha256:0123abcd"
        }

        headers {
          Authorization = "Bearer token"
        }
      }

      template {
        data          = <<-EOT
          listen = "{{ env "NOMAD_PORT_http" }}"
          payments = "{{ range service "payments" }}{{ .Address }}{{ end }}"
        EOT
        destination   = "local/config/shop.toml"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        splay         = "10s"
        perms         = "0600"
      }

      template {
        source          = "local/assets/env.tpl"
        destination     = "secrets/app.env"
        env             = true
        change_mode     = "noop"
        left_delimiter  = "[["
        right_delimiter = "]]"
      }

      volume_mount {
        volume           = "assets"
        destination      = "/srv/assets"
        read_only        = true
        propagation_mode = "host-to-task"
      }

      volume_mount {
        volume      = "cache"
        destination = "/var/cache/shop"
      }

      restart {
        attempts = 4
        delay    = "5s"
      }

      shutdown_delay = "3s"

      service {
        name         = "shop-admin"
        port         = "admin"
        address_mode = "host"
        tags         = ["admin"]

        check {
          type     = "tcp"
          interval = "20s"
          timeout  = "2s"
        }
      }
    }

    task "log-shipper" {
      driver = "raw_exec"

      lifecycle {
        hook    = "poststart"
        sidecar = true
      }

      config {
        command = "/usr/bin/vector"
        args    = ["--config", "local/vector.toml"]
      }

      dispatch_payload {
        file = "input.txt"
      }
    }
  }
}
