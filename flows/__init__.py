"""Prefect flows of the contract lifecycle: tender, award, monitor, evaluate (orchestration only:
the rules live in the core and the instruments). Deployments are in `prefect.yaml` at the root."""
