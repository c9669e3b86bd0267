"""Lesson 4: a generated graph (app.exercises.generator) checked against app.analysis.open_paths."""
from app.exercises.generator import drill


def graph(ctx):
    return drill(ctx.seed, ctx.difficulty)[0]


def exercises(ctx):
    return drill(ctx.seed, ctx.difficulty)[1]
