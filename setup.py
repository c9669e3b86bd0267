"""Packaging beyond what pyproject.toml can say: the app's checkout files travel in the wheel.

streamlit_app.py, pages/, sample_data/ and .streamlit/config.toml stay where `make run` expects
them in a checkout; here they are mapped into the package `app._resources`, so an installed wheel
has the same layout under app/_resources/ (app.resources finds either).
"""
from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

# package inside the wheel -> folder in the checkout
RESOURCES = {"app._resources": ".", "app._resources.pages": "pages"}
DATA_SUFFIXES = ["md", "png", "svg", "css", "js", "html", "json", "toml", "yaml", "yml", "csv",
                 "txt", "bif", "dagitty"]


class BuildPy(build_py):
    """The checkout root also holds setup.py: only streamlit_app.py is the app's module there."""

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        if package == "app._resources":
            modules = [m for m in modules if m[1] == "streamlit_app"]
        return modules


setup(
    cmdclass={"build_py": BuildPy},
    packages=[*find_namespace_packages(include=["app", "app.*", "components", "components.*"],
                                                exclude=["*.__pycache__"]),
              *RESOURCES],
    package_dir=RESOURCES,
    include_package_data=False,
    package_data={
        "app": [f"**/*.{ext}" for ext in DATA_SUFFIXES],
        "components": ["**/*.js", "**/*.css", "**/*.html", "**/LICENSE*"],
        "app._resources": [".streamlit/config.toml", "sample_data/README.md",
                           "sample_data/*/*.*"],
    },
)
