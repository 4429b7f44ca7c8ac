from django.apps import AppConfig


class SimulationConfig(AppConfig):
    name = "peken.simulation"
    verbose_name = "Simulasi kota"
