"""The report's stages, one module each, in the order app.report.pipeline runs them:
check → profile → discovery → graph → implications → identify → estimate → refute →
sensitivity → alternatives → mediation → verdict → conclusions.

Each module has `run(context) -> StageResult` (typed results in app.report.steps.context); the
stated rules the stages apply live in app.report.rules.
"""
