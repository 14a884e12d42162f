variable "name" {
  default = "api"
}
