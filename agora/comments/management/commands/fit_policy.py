"""Choose the guideline thresholds on this newsroom's own moderation decisions."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agora.comments import fitting, screening
from agora.guidelines import Engine
from agora.guidelines.policy import REQUIRED_KEYS
from agora.guidelines.training import site_policy
from agora.guidelines.training.metrics import count_and_percent, percent
from agora.guidelines.training.triage import Triage


class Command(BaseCommand):
    help = (
        "Choose the guideline engine's review and reject thresholds on the comments this "
        "site's moderators decided (the older half), show what they would have done to the "
        "newer half beside the policy in force, and with --out write them as a policy file "
        "for AGORA_POLICY."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--latest",
            type=int,
            default=fitting.LATEST,
            help=f"fit on this many of the latest decisions (default {fitting.LATEST:,})",
        )
        parser.add_argument(
            "--decisions",
            type=Path,
            help="read the decisions from this JSON Lines file, oldest first, instead of "
            "this site's moderators (docs/production.md gives the fields)",
        )
        parser.add_argument(
            "--out",
            type=Path,
            help="write the policy (AGORA_POLICY's settings with the fitted thresholds) here",
        )

    def handle(self, *args, out: Path | None, latest: int, decisions: Path | None, **options):
        if latest < 1:
            raise CommandError("--latest must be at least 1.")
        engine = screening.engine()
        if decisions is None:
            decided = fitting.decided_comments(latest)
            by_engine = fitting.decided_by_the_engine()
        else:
            decided, by_engine = self._read(decisions, engine), {}
        fits = site_policy.fit(decided, engine.policy)
        self.stdout.write(
            f"{len(decided)} comment(s) decided by moderators; model {engine.model_version}."
        )
        for fit in fits:
            self.stdout.write("")
            self.stdout.write(
                f"{fit.lang}: fitted on the older {fit.fitted_on}, checked on the newer "
                f"{fit.checked_on}."
            )
            self._causes(engine, fit.lang, decided)
            if by_engine.get(fit.lang):
                self.stdout.write(
                    f"  Not counted: {by_engine[fit.lang]} comment(s) the engine decided on its "
                    "own. The decisions counted are only those it left to moderators, harder "
                    "than the rest: fit before switching automation on."
                )
            if fit.thresholds is None or fit.before is None or fit.after is None:
                self.stdout.write(f"  Left as it is: {fit.why_not}.")
                continue
            for name, triage in (("in force", fit.before), ("fitted", fit.after)):
                self.stdout.write(f"  {name:>8}: {_shares(triage)}")
            met = fit.after.meets()
            self.stdout.write(
                "  Fitted, on the newer half: approval target "
                f"{_verdict(met['clean_approved'])}, rejection target "
                f"{_verdict(met['violating_rejected'])} (docs/guidelines.md, Policy)."
            )
            for key, values in fit.thresholds.items():
                current = engine.policy.threshold(fit.lang, key)
                self.stdout.write(
                    f"  {key}: review {current.review:g} -> {values['review']:g}, "
                    f"reject {_limit(current.reject)} -> {_limit(values['reject'])}"
                )
            if fit.raised:
                self.stdout.write(
                    f"  Reject thresholds raised, with fewer than {site_policy.MIN_VIOLATING} "
                    "rejections for them but rejecting more of the approved comments than the "
                    f"budget allows: {', '.join(fit.raised)}."
                )
            kept = [key for key in REQUIRED_KEYS if key not in fit.thresholds]
            if kept:
                self.stdout.write(
                    f"  Kept as in force, with fewer than {site_policy.MIN_VIOLATING} "
                    f"rejections for them: {', '.join(kept)}."
                )
        if out is None:
            return
        if not any(fit.thresholds for fit in fits):
            self.stdout.write("")
            self.stdout.write(f"No language had enough decisions to fit; {out} not written.")
            return
        policy = site_policy.policy_settings(fits, settings.AGORA_POLICY)
        out.write_text(json.dumps(policy, indent=2) + "\n", encoding="utf-8")
        self.stdout.write("")
        self.stdout.write(
            f"Wrote {out}. To apply it, set AGORA_POLICY={out} and restart the app servers "
            "and the task worker."
        )

    def _causes(self, engine: Engine, lang: str, decided: list[site_policy.Decided]) -> None:
        """What sends the approved comments of ``lang`` to review under the policy in force
        (the chief moderators' engine page shows the same)."""
        comments = site_policy.counted_in(lang, decided)
        if lang not in engine.models or not comments:
            return
        approved = sum(c.rejected_for is None for c in comments)
        rejected = len(comments) - approved
        causes = site_policy.review_causes_under(
            engine.policy, comments, engine.models[lang].source_key
        )
        for cause in causes:
            flagged = count_and_percent(cause.clean, approved)
            alone = count_and_percent(cause.clean_alone, approved)
            stops = count_and_percent(cause.violating_alone, rejected)
            self.stdout.write(
                f"  Sends to review, in force: {', '.join(cause.cause)}: {flagged} of the "
                f"approved, {alone} with nothing else flagging them; alone stops {stops} of "
                "the rejected."
            )

    def _read(self, path: Path, engine: Engine) -> list[site_policy.Decided]:
        try:
            with path.open(encoding="utf-8") as lines:
                return site_policy.read_decisions(lines, engine)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except (site_policy.DecisionsError, UnicodeDecodeError) as error:
            raise CommandError(f"{path}: {error}.") from None


def _limit(value: float | None) -> str:
    return "never" if value is None else f"{value:g}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "not met", None: "not measurable"}[met]


def _shares(t: Triage) -> str:
    return (
        f"of {t.clean} approved by moderators, {percent(t.clean_approved)} approved and "
        f"{percent(t.clean_rejected)} rejected by the engine; of {t.violating} rejected, "
        f"{percent(t.violating_approved)} approved and {percent(t.violating_rejected)} rejected"
    )
