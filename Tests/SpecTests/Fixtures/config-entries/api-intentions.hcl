# web may read api's public endpoints but not its admin pages; billing is denied outright.
Kind = "service-intentions"
Name = "api"
Sources = [
  {
    Name = "web"
    Permissions = [
      {
        Action = "deny"
        HTTP {
          PathPrefix = "/admin"
        }
      },
      {
        Action = "allow"
        HTTP {
          PathPrefix = "/"
          Methods    = ["GET", "HEAD"]
          Header = [
            {
              Name    = "x-canary"
              Present = true
            },
          ]
        }
      },
    ]
  },
  {
    Name        = "billing"
    Action      = "deny"
    Description = "billing must go through the gateway"
  },
]
