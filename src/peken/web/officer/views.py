from django.http import HttpResponse


def officer_queue(request):
    return HttpResponse("petugas")
