variable "datacenters" {
  type    = list(string)
  default = ["dc1"]
}

variable "replicas" {
  type    = number
  default = 2
}

variable "image_version" {
  type = string
}

locals {
  name   = "cache-${var.image_version}"
  memory = var.replicas * 128
  labels = { team = "platform", tier = upper("backend") }
}

job "cache" {
  datacenters = var.datacenters
  meta        = local.labels

  group "cache" {
    count = var.replicas

    network {
      port "redis" {
        to = 6379
      }
    }

    task "redis" {
      driver = "exec"

      config {
        command = "/usr/bin/redis-server"
        args    = ["--port", "6379", "--maxmemory", "${local.memory}mb"]
      }

      resources {
        memory = local.memory
      }

      service {
        name = local.name
        port = "redis"
        tags = [for dc in var.datacenters : "dc-${dc}"]
      }
    }
  }
}
