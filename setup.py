"""Copies the top-level resources/ into the wheel as rsdesk/_resources.

resources/ stays at the top of the repository (it is data, not code, and is edited by people who
do not read Python); an installed copy finds it inside the package. See rsdesk/resources.py.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        source = Path(__file__).parent / "resources"
        target = Path(self.build_lib) / "rsdesk" / "_resources"
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        # The user guide (Help > User guide) ships as rsdesk/_docs; see rsdesk/ui/dialogs/help_dialog.py.
        guide = Path(__file__).parent / "docs" / "user-guide.md"
        if guide.is_file():
            (Path(self.build_lib) / "rsdesk" / "_docs").mkdir(parents=True, exist_ok=True)
            shutil.copy2(guide, Path(self.build_lib) / "rsdesk" / "_docs" / guide.name)


setup(cmdclass={"build_py": BuildPyWithResources})
