"""Product photos: at most five, each re-encoded."""

from functools import partial

from django.db import transaction

from peken.accounts import permissions
from peken.catalog import rules
from peken.catalog.errors import (
    PhotoNotFound,
    TooManyPhotos,
)
from peken.catalog.models import (
    Product,
    ProductPhoto,
)
from peken.catalog.services.common import (
    locked_product,
)
from peken.core.audit import audit_record
from peken.core.images import image_clean


def product_photo_add(*, actor, product: Product, upload) -> ProductPhoto:
    """Adds the upload, re-encoded as WebP, as the product's last photo; at most MAX_PHOTOS."""
    on_behalf = permissions.require_shop_manager(actor, product.merchant)
    clean = image_clean(upload)  # before taking the lock: re-encoding takes a moment
    with transaction.atomic():
        # The product row is the lock: two uploads at once cannot both become the fifth photo.
        locked = locked_product(product)
        positions = list(locked.photos.values_list("position", flat=True))
        if len(positions) >= rules.MAX_PHOTOS:
            raise TooManyPhotos()
        photo = ProductPhoto(
            product=locked,
            width=clean.width,
            height=clean.height,
            position=max(positions, default=-1) + 1,
        )
        photo.image.save(clean.file.name, clean.file, save=False)
        try:
            photo.save()
            if on_behalf:
                audit_record(
                    actor=actor,
                    action="product.photo_add",
                    target=locked,
                    after={"photo": photo.image.name},
                )
        except Exception:
            photo.image.storage.delete(photo.image.name)
            raise
    return photo


def product_photo_remove(*, actor, product: Product, photo_id: int) -> None:
    """Removes one photo of this product; the file goes once the removal is committed."""
    on_behalf = permissions.require_shop_manager(actor, product.merchant)
    with transaction.atomic():
        photo = ProductPhoto.objects.filter(product=product, pk=photo_id).first()
        if photo is None:
            raise PhotoNotFound()
        photo.delete()
        if on_behalf:
            audit_record(
                actor=actor,
                action="product.photo_remove",
                target=product,
                before={"photo": photo.image.name},
            )
        transaction.on_commit(partial(photo.image.storage.delete, photo.image.name))
