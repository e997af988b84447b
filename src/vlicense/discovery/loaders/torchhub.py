"""torch.hub.load(repo, entry) and URL weight downloads (torch.hub.load_state_dict_from_url, model_zoo.load_url)."""

from __future__ import annotations

from vlicense.discovery.loaders.base import CallSite, Reference, file_reference

HUB_LOAD = frozenset({"torch.hub.load"})
URL_LOADS = frozenset({"torch.hub.load_state_dict_from_url", "torch.utils.model_zoo.load_url", "torch.hub.download_url_to_file"})


class TorchHubLoader:
    name = "torchhub"
    modules = ("torch",)
    triggers = ("hub", "load_url", "load_state_dict_from_url", "download_url_to_file")

    def handles(self, qualname: str) -> bool:
        return qualname in HUB_LOAD or qualname in URL_LOADS

    def analyze(self, site: CallSite) -> list[Reference]:
        if site.qualname in URL_LOADS:
            url = site.arg(0, "url")
            text = site.string(url)
            return [
                site.unresolved(
                    "torchhub",
                    url,
                    "weights downloaded from a URL: their license cannot be identified statically"
                    if text
                    else f"weights downloaded from a URL that is {site.not_a_string(url)}",
                )
            ]
        repo_v = site.arg(0, "repo_or_dir")
        entry_v = site.arg(1, "model")
        source_v = site.optional(None, "source")
        repo = site.string(repo_v)
        entry = site.string(entry_v)
        if source_v.kind != "missing" and site.string(source_v) is None:
            return [site.unresolved("torchhub", source_v, f"source {site.not_a_string(source_v)}")]
        if repo is None:
            return [site.unresolved("torchhub", repo_v, site.not_a_string(repo_v))]
        if site.string(source_v) == "local":
            return [file_reference(site, repo)]
        if entry is None:
            return [site.unresolved("torchhub", entry_v, f"entry point {site.not_a_string(entry_v)}", )]
        name, _, branch = repo.partition(":")
        return [site.model("torchhub", name, variant=entry, revision=branch or None)]


LOADER = TorchHubLoader()
