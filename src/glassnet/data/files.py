"""Where the files of the file-based sets come from: published addresses and checksums, the cache, downloads.

``RESOURCES`` names each set's files with their sha256 (checked on every load, so a corrupt,
truncated or other version of a file is refused before it is read), ``data_home`` is the cache
root, ``locate`` finds (and, when allowed, downloads) a set's files and verifies them. ``_open_url``
is the one place that touches the network.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import DatasetError, HyperparameterTypeError


@dataclass(frozen=True)
class FileInfo:
    """One published file: its sha256 (verified on every load), md5 (as published) and size in bytes."""

    sha256: str
    md5: str
    size: int


@dataclass(frozen=True)
class Resource:
    """A file-based data set: the files it needs, where they are published, and their checksums.

    ``folder`` is the conventional folder name (the one in ``shared/datasets``); ``mirrors`` are
    base URLs tried in order (empty: the files cannot be downloaded, the user puts them in place).
    """

    name: str
    title: str
    folder: str
    mirrors: tuple[str, ...]
    files: dict[str, FileInfo]


RESOURCES: dict[str, Resource] = {
    "mnist": Resource(
        name="mnist",
        title="MNIST",
        folder="mnist",
        # torchvision's mirror first; LeCun's page often refuses automated downloads.
        mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
        files={
            "train-images-idx3-ubyte.gz": FileInfo(
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "f68b3c2dcbeaaa9fbdd348bbdeb94873", 9912422),
            "train-labels-idx1-ubyte.gz": FileInfo(
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "d53e105ee54ea40749a09fcbcd1e9432", 28881),
            "t10k-images-idx3-ubyte.gz": FileInfo(
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "9fb629c4189551a2d022fa330f9573f3", 1648877),
            "t10k-labels-idx1-ubyte.gz": FileInfo(
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "ec29112dd5afa0611ce80d1b7f02629c", 4542),
        },
    ),
    "fashion_mnist": Resource(
        name="fashion_mnist",
        title="Fashion-MNIST",
        folder="fashion-mnist",
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        files={
            "train-images-idx3-ubyte.gz": FileInfo(
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d", 26421880),
            "train-labels-idx1-ubyte.gz": FileInfo(
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "25c81989df183df01b3e8a0aad5dffbe", 29515),
            "t10k-images-idx3-ubyte.gz": FileInfo(
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "bef4ecab320f06d8554ea6380940ec79", 4422102),
            "t10k-labels-idx1-ubyte.gz": FileInfo(
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                "bb300cfdad3c16e7a12a480ee83cd310", 5148),
        },
    ),
    "cats": Resource(
        name="cats",
        title="cat vs non-cat (deeplearning.ai course 1)",
        folder="catvnoncat",
        mirrors=(),  # course material: no official public address
        files={
            "train_catvnoncat.h5": FileInfo(
                "fbe56ab67c3ae28d564e3a644189117976d6b31af0a3ce9bb17dbf22908af242",
                "7ae153172cf0e4872f49a801f0c76c3d", 2572022),
            "test_catvnoncat.h5": FileInfo(
                "6a9d39ce52fa85953c5834695b8534a30ed8cfd54971fb2f080b5a24d002b951",
                "7214e326ef4178b6a71af105ddaf3dbd", 616958),
        },
    ),
    "course_2d": Resource(
        name="course_2d",
        title="the course's 2-D regularization set (data.mat)",
        folder="regularization-2d",
        mirrors=(),
        files={
            "data.mat": FileInfo(
                "1218828095bf91d215622d00b2a5b8784c359e29d9d9c5734949b8e60c5bc231",
                "252062681550c46ca3c069b2d027d3f3", 6038),
        },
    ),
}

DOWNLOAD_TIMEOUT_S = 60.0


def data_home() -> Path:
    """The cache root: ``$GLASSNET_DATA`` if set, else ``~/.cache/glassnet``.

    It is laid out like ``shared/datasets`` and like a folder given as ``path=``: one subfolder per
    data set named ``Resource.folder`` (``mnist``, ``fashion-mnist``, ``catvnoncat``,
    ``regularization-2d``), so ``GLASSNET_DATA=../shared/datasets`` works as it is. A subfolder
    named after the data set (``fashion_mnist``, ``cats``, ``course_2d``: the names of earlier
    versions) is read too when it holds the files.
    """
    env = os.environ.get("GLASSNET_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "glassnet"


def _cache_folder(resource: Resource, root: Path, needed: list[str]) -> Path:
    """The cache subfolder of ``resource``: the first of ``folder``/``name`` holding every needed file,
    else ``folder`` (where downloads go)."""
    for candidate in dict.fromkeys((resource.folder, resource.name)):
        if all((root / candidate / f).is_file() for f in needed):
            return root / candidate
    return root / resource.folder


def file_sha256(path: str | os.PathLike) -> str:
    """The sha256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _redownload_hint(resource: Resource, cached: bool) -> str:
    if cached and resource.mirrors:
        return f"delete it and load again to re-download it (from {resource.mirrors[0]})"
    return "delete it and put a good copy in its place"


def verify_file(path: Path, resource: Resource, cached: bool = False) -> None:
    """Check ``path`` against its published size and sha256; a mismatch is a DatasetError."""
    info = resource.files[path.name]
    actual = file_sha256(path)
    if actual != info.sha256:
        size = path.stat().st_size
        raise DatasetError(
            f"checksum mismatch for {path} ({resource.title}): expected sha256 {info.sha256} "
            f"({info.size} bytes), got {actual} ({size} bytes); the file is corrupt, truncated or a "
            f"different version: {_redownload_hint(resource, cached)}"
        )


def _where_to_put(resource: Resource, folder: Path, missing: list[str]) -> str:
    urls = (
        "; get them from " + " or ".join(resource.mirrors) if resource.mirrors
        else "; these files have no public download address, copy them from the course materials"
    )
    return (
        f"put the file(s) {', '.join(missing)} for {resource.title} into {folder}{urls}; "
        f"or pass path= (on the command line: --data-path) to a folder that holds them "
        f"(set GLASSNET_DATA to move the cache root)"
    )


def _open_url(url: str, timeout: float):
    """The one place that touches the network (tests replace it; it is never called by them)."""
    return urllib.request.urlopen(url, timeout=timeout)


def _download(url: str, dest: Path, info: FileInfo) -> None:
    """Download ``url`` to ``dest`` atomically (temporary file + rename), sha256-checked before the rename."""
    from tqdm.auto import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with _open_url(url, DOWNLOAD_TIMEOUT_S) as response, os.fdopen(fd, "wb") as out:
            length = getattr(response, "headers", {}).get("Content-Length")
            total = int(length) if length else info.size
            with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=dest.name,
                      leave=False) as bar:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != info.sha256:
            raise DatasetError(
                f"checksum mismatch for {dest.name} downloaded from {url}: expected sha256 {info.sha256}, "
                f"got {digest.hexdigest()}; the download is corrupt or the server sent another file"
            )
        os.replace(tmp, dest)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _fetch_missing(resource: Resource, folder: Path, missing: list[str]) -> None:
    """Download each missing file from the first mirror that works; offline gives 'where to put it'."""
    for filename in missing:
        errors = []
        for base in resource.mirrors:
            try:
                _download(base + filename, folder / filename, resource.files[filename])
                break
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
                errors.append(f"{base + filename}: {exc}")
        else:
            raise DatasetError(
                f"could not download {filename} ({'; '.join(errors)}). "
                + _where_to_put(resource, folder, missing[missing.index(filename):])
            )


def locate(name: str, path=None, download: bool = True, cache_dir=None, files=None) -> Path:
    """The folder holding ``files`` of data set ``name``, downloaded if allowed and possible, all verified.

    ``path``: a folder holding the files, or a folder with a subfolder named like the data set
    (``mnist``, ``fashion-mnist``, ``catvnoncat``, ``regularization-2d``), or one of the files; files
    are never downloaded into ``path``. ``path=None``: the cache folder ``cache_dir/<folder>``
    (``cache_dir`` defaults to ``data_home()``; the same folder names as under ``path``, see
    ``data_home``), where missing files are downloaded when the data set has an address and
    ``download`` is true.
    """
    resource = RESOURCES[canonical_name(name)]
    needed = list(files) if files is not None else list(resource.files)
    for value, what in ((path, "path"), (cache_dir, "cache_dir")):
        if value is not None and not isinstance(value, str | os.PathLike):
            raise HyperparameterTypeError(f"{what} must be a folder or file path (str or Path), got "
                                          f"{type(value).__name__} {value!r}")
    if path is not None:
        root = Path(path).expanduser()
        if root.is_file():
            root = root.parent
        candidates = [root, root / resource.folder, root / resource.name]
        folder = next((c for c in candidates if all((c / f).is_file() for f in needed)), None)
        if folder is None:
            missing = [f for f in needed if not (root / f).is_file()]
            raise DatasetError(f"{resource.title} files not found under path={str(path)!r}: "
                               + _where_to_put(resource, root, missing))
        cached = False
    else:
        root = Path(cache_dir).expanduser() if cache_dir is not None else data_home()
        folder = _cache_folder(resource, root, needed)
        missing = [f for f in needed if not (folder / f).is_file()]
        if missing:
            if not download or not resource.mirrors:
                reason = "download=False" if resource.mirrors else "they cannot be downloaded"
                raise DatasetError(f"{resource.title} file(s) missing from {folder} ({reason}): "
                                   + _where_to_put(resource, folder, missing))
            _fetch_missing(resource, folder, missing)
        cached = True
    for f in needed:
        verify_file(folder / f, resource, cached=cached)
    return folder


# A file-based set's folder (``Resource.folder``: the layout of the cache and of shared/datasets) names it too.
ALIASES = {r.folder.replace("-", "_"): key for key, r in RESOURCES.items() if r.folder.replace("-", "_") != key}


def canonical_name(name) -> str:
    """The ``DATASETS`` key of a data set name: case and hyphens aside, a folder's name (``catvnoncat``,
    ``regularization-2d``, ``fashion-mnist``) read as its set's (``cats``, ``course_2d``, ``fashion_mnist``)."""
    key = str(name).strip().lower().replace("-", "_")
    return ALIASES.get(key, key)
