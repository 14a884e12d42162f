Kind = "service-intentions"
Name = "api"
Sources = [
  {
    Name        = "web"
    Action      = "allow"
    Permissions = [{ Action = "deny", HTTP { PathPrefix = "/admin" } }]
  },
  {
    Name        = "batch"
    Description = "no decision given"
  },
]
