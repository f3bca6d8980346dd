"""Stage 2 image decoding of unusual files."""


def test_exif_orientation_is_ignored(tmp_path):
    """Boxes refer to the stored pixels, as in stage 3 and COCO's annotations."""
    from PIL import Image

    from orl_mm.correspondence.images import read_image_bgr
    img = Image.new('RGB', (60, 30), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    path = str(tmp_path / 'rotated.jpg')
    img.save(path, exif=exif)
    assert read_image_bgr(path).shape == (30, 60, 3)  # stored 60 wide, 30 high
