job "video-encode" {
  datacenters = ["dc1"]
  type        = "batch"

  parameterized {
    payload       = "required"
    meta_required = ["input"]
    meta_optional = ["profile"]
  }

  group "encode" {
    task "ffmpeg" {
      driver = "exec"

      dispatch_payload {
        file = "job.json"
      }

      config {
        command = "/usr/bin/ffmpeg"
        args    = ["-i", "${NOMAD_META_input}", "-preset", "${NOMAD_META_profile}"]
      }
    }
  }
}
