from django.http import HttpResponse


def search(request):
    return HttpResponse("cari")


def cart(request):
    return HttpResponse("keranjang")


def orders(request):
    return HttpResponse("pesanan")
