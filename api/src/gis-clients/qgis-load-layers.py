"""Loads Lingwei's layers in QGIS as a user would, with a QGIS "Basic" authentication configuration
(user name and API token), and prints what each layer gave as one JSON object on stdout.

Run by qgis.test.ts with Debian's /usr/bin/python3 (python3-qgis), headless:
  QT_QPA_PLATFORM=offscreen QGIS_AUTH_DB_DIR_PATH=<empty dir> python3 qgis-load-layers.py <job.json>
The job names the API's base URL, the user name and token, a flight id and the two extents (WGS84)
to draw: the flight's footprint (raster tiles, COG) and the candidates' (features, vector tiles).
"""
import faulthandler
import json
import sys
from urllib.parse import quote

from qgis.core import (
    QgsApplication,
    QgsAuthMethodConfig,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
IMAGE_SIZE = 256
# Seconds a run may take: 5-10 s alone, up to 50 s beside the rest of the suite on two cores.
WATCHDOG_S = 120


def basic_auth_config(name, username, token):
    """A stored QGIS authentication configuration of method Basic, as made in Options > Authentication."""
    manager = QgsApplication.authManager()
    # A new, empty authentication database (QGIS_AUTH_DB_DIR_PATH) takes this as its master password.
    if not manager.setMasterPassword("lingwei-test-master", True):
        raise RuntimeError("the QGIS authentication database did not open")
    config = QgsAuthMethodConfig("Basic")
    config.setName(name)
    config.setConfig("username", username)
    config.setConfig("password", token)
    if not manager.storeAuthenticationConfig(config)[0]:
        raise RuntimeError("QGIS did not store the Basic configuration")
    return config.id()


def drawn_pixels(layer, extent_wgs84):
    """Draws the layer over the extent into a transparent image; returns its count of painted pixels."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(WEB_MERCATOR)
    transform = QgsCoordinateTransform(WGS84, WEB_MERCATOR, QgsProject.instance())
    settings.setExtent(transform.transformBoundingBox(QgsRectangle(*extent_wgs84)))
    settings.setOutputSize(QSize(IMAGE_SIZE, IMAGE_SIZE))
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    painted = sum(1 for y in range(image.height()) for x in range(image.width()) if QColor.fromRgba(image.pixel(x, y)).alpha() > 0)
    errors = [f"{e.layerID}: {e.message}" for e in job.errors()]
    return painted, errors


def extent_of(layer):
    box = layer.extent()
    if box.isEmpty():
        return None
    transform = QgsCoordinateTransform(layer.crs(), WGS84, QgsProject.instance())
    box = transform.transformBoundingBox(box)
    return [box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()]


def report(layer, extent_wgs84, **extra):
    result = {"valid": layer.isValid(), "provider": layer.providerType(), "extent": extent_of(layer) if layer.isValid() else None, **extra}
    if not layer.isValid():
        provider = layer.dataProvider()
        result["error"] = layer.error().summary() or (provider.error().summary() if provider is not None else "no data provider")
        return result
    result["painted"], result["render_errors"] = drawn_pixels(layer, extent_wgs84)
    return result


def main():
    job = json.load(open(sys.argv[1], encoding="utf-8"))
    base, flight = job["base"], job["flight"]
    auth = basic_auth_config("Lingwei", job["username"], job["token"])
    results = {}

    # OGC API - Features (Layer > Add WFS / OGC API - Features layer).
    def features_layer(authcfg):
        layer = QgsVectorLayer(f"url='{base}/ogc' typename='candidates' authcfg={authcfg}", "candidates", "OAPIF")
        return layer, (sum(1 for _ in layer.getFeatures()) if layer.isValid() else 0)

    features, count = features_layer(auth)
    results["oapif"] = report(features, job["candidates_bbox"], features=count)
    # The same with a token that is not the user's: refused, so nothing loads.
    wrong = basic_auth_config("Lingwei (wrong token)", job["wrong"]["username"], job["wrong"]["token"])
    refused, count = features_layer(wrong)
    results["oapif_wrong_token"] = {"valid": refused.isValid(), "provider": "OAPIF", "extent": None, "features": count}

    # XYZ raster tiles (XYZ Tiles > New connection, with the authentication configuration).
    ortho = f"{base}/api/flights/{flight}/tiles/ortho/{{z}}/{{x}}/{{y}}.webp"
    raster_tiles = QgsRasterLayer(f"type=xyz&url={quote(ortho, safe='')}&zmin=0&zmax=22&authcfg={auth}", "ortho", "wms")
    results["xyz"] = report(raster_tiles, job["flight_bbox"])

    # Vector tiles (Vector Tiles > New generic connection).
    mvt = f"{base}/api/tiles/candidates/{{z}}/{{x}}/{{y}}.mvt"
    vector_tiles = QgsVectorTileLayer(f"type=xyz&url={quote(mvt, safe='')}&zmin=0&zmax=18&authcfg={auth}", "candidates-mvt")
    results["mvt"] = report(vector_tiles, job["candidates_bbox"])

    # The surface model's COG over HTTP (Add Raster Layer > Protocol: HTTP(S), with the configuration).
    cog = QgsRasterLayer(f"/vsicurl/{base}/api/flights/{flight}/assets/dsm.tif authcfg='{auth}'", "dsm", "gdal")
    results["cog"] = report(cog, job["flight_bbox"], bands=cog.bandCount() if cog.isValid() else 0)

    print(json.dumps(results))


if __name__ == "__main__":
    # A hang inside QGIS (its network or rendering threads) prints every thread's stack and ends the
    # run with status 1, so the test reports where it stopped instead of waiting out its own limit.
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    application = QgsApplication([], False)
    application.initQgis()
    try:
        main()
    finally:
        application.exitQgis()
