//! Generation of Terraform and environment-variable definitions from the config.
