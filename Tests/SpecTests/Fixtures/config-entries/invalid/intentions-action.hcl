Kind = "service-intentions"
Name = "api"
Sources = [
  { Name = "web", Action = "permit" },
  {
    Name = "admin"
    Permissions = [
      { Action = "allow", HTTP { PathPrefix = "/" } },
      { Action = "block", HTTP { PathPrefix = "/internal" } },
    ]
  },
]
