"""Loading SAM/CloudFormation applications, definitions and handlers into the model."""

from lambdaslim.loading.application import load_application

__all__ = ["load_application"]
