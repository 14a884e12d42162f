kind = "service-intentions"
name = "api"
sources = [
  {
    name = "web"
    permissions = [
      {
        action = "deny"
        http {
          path_prefix = "/admin"
        }
      },
      {
        action = "allow"
        http {
          path_prefix = "/"
          methods     = ["GET", "HEAD"]
          header = [
            {
              name    = "x-canary"
              present = true
            },
          ]
        }
      },
    ]
  },
  {
    name        = "billing"
    action      = "deny"
    description = "billing must go through the gateway"
  },
]
